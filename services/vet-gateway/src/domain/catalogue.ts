import type { FieldError } from '@hip/shared';

/**
 * Duplicate product ids in an LGCV catalogue, as field errors. A mapping names one LGCV product
 * by id: two products with one id would make it ambiguous which one is billed, so the catalogue
 * is refused rather than one of them silently dropped.
 */
export function duplicateProductIds(products: readonly { id: string }[]): FieldError[] {
  const firstIndex = new Map<string, number>();
  const errors: FieldError[] = [];
  products.forEach((product, index) => {
    const first = firstIndex.get(product.id);
    if (first === undefined) firstIndex.set(product.id, index);
    else
      errors.push({
        path: `/products/${index}/id`,
        message: `duplicate product id "${product.id}" (already at /products/${first}/id)`,
      });
  });
  return errors;
}

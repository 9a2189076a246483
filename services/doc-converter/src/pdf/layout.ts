/** Page geometry shared by rendering and stamping, in PDF points (1/72 inch). */
export const A4 = { width: 595.28, height: 841.89 } as const;

export const MARGINS = {
  /** Room for the letterhead band. */
  top: 130,
  bottom: 140,
  side: 56,
} as const;

/** The letterhead band: inside the top margin, full text width. */
export function letterheadBox(page: { width: number; height: number }) {
  return {
    x: MARGINS.side,
    y: page.height - MARGINS.top + 12,
    width: page.width - 2 * MARGINS.side,
    height: MARGINS.top - 24,
  };
}

/** The signature spot: bottom right, above the footer, at the seed's 142x85 px at 96 dpi. */
export function signatureBox(page: { width: number; height: number }) {
  const width = 142 * 0.75;
  const height = 85 * 0.75;
  return { x: page.width - MARGINS.side - width, y: 50, width, height };
}

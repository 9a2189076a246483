import { z } from '@hip/shared';
import { GeneratedDocumentSchema, InlineContentSchema, StoredContentSchema } from '@hip/shared/schemas';

type UnionIssue = { code: string; input?: unknown; errors?: { path: PropertyKey[]; message: string }[][] };

/**
 * zod reports a failed union as "/content: Invalid input", which names no field. The branch
 * the sender meant is clear from its keys (`base64` inline, `object` in the object store), so
 * that branch's own errors are reported instead.
 */
function contentUnionError(issue: UnionIssue): string | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  const input = issue.input;
  const keys = typeof input === 'object' && input !== null ? Object.keys(input) : [];
  const branch = keys.includes('base64') ? 0 : keys.includes('object') ? 1 : undefined;
  const errors = branch === undefined ? undefined : issue.errors?.[branch];
  if (!errors?.length) {
    return 'must carry either base64 (inline content) or object {bucket, name} (object store)';
  }
  return errors.map((e) => `${e.path.map(String).join('/')}: ${e.message}`).join('; ');
}

/** The cpv2 message (GeneratedDocumentSchema), with errors inside `content` naming the field. */
export const DocumentMessageSchema = GeneratedDocumentSchema.extend({
  content: z.union([InlineContentSchema, StoredContentSchema], { error: contentUnionError }),
});

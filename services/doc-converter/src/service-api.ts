import type { GeneratedDocument } from '@hip/shared/schemas';
import type { DocumentStatus } from './db/schema.ts';

/** A document as the API and the admin pages show it: no patient data beyond the file name. */
export interface DocumentView {
  id: string;
  kind: string;
  doctorId: string;
  centreId: string;
  windowsLogin: string;
  status: DocumentStatus;
  outputPath: string | null;
  sha256: string | null;
  error: string | null;
  attempts: number;
  source: 'bus' | 'http';
  receivedAt: string;
  updatedAt: string;
}

export interface IntakeFileView {
  id: number;
  fileName: string;
  status: 'received' | 'failed';
  reason: string | null;
  line: number | null;
  column: number | null;
  repairs: { line: number; column: number; what: string }[];
  receivedAt: string;
}

export interface RejectedMessageView {
  subject: string;
  msgId: string | null;
  reason: string;
  receivedAt: string;
}

export interface DoctorErrors {
  doctorId: string;
  missingSignature: number;
  missingLetterhead: number;
  failed: number;
  documents: DocumentView[];
}

/** An asset upload refused for its content (bad PNG, unparseable PDF). */
export class AssetRefusedError extends Error {
  override name = 'AssetRefusedError';
}

export interface DocumentsOverview {
  counts: Record<DocumentStatus, number>;
  documents: DocumentView[];
}

/**
 * What the HTTP layer needs from the document chain. The app only sees this interface, so it
 * stays free of Node APIs (it also runs under Deno); `service.ts` wires the real one.
 */
export interface DocumentService {
  submit(doc: GeneratedDocument): Promise<{ id: string; created: boolean }>;
  get(id: string): Promise<DocumentView | undefined>;
  /** Counts per status and the most recent documents, read from one snapshot so they agree. */
  overview(limit: number): Promise<DocumentsOverview>;
  errorsByDoctor(): Promise<DoctorErrors[]>;
  /** Bus messages that could not even be recorded as documents (invalid, dead-lettered). */
  rejectedMessages(limit: number): Promise<RejectedMessageView[]>;
  retry(id: string): Promise<DocumentView | undefined>;
  /** Retries and waits for this attempt to end, so that the admin page can say how it went. */
  retryAndSettle(id: string): Promise<DocumentView | undefined>;
  putSignature(doctorId: string, png: Uint8Array): Promise<{ released: string[] }>;
  putLetterhead(doctorId: string, pdf: Uint8Array): Promise<{ released: string[] }>;
  intakeFiles(limit: number, status?: 'failed'): Promise<IntakeFileView[]>;
}

/** One folder of a browsed tree (the export share, the refused intake files). */
export interface BrowsedFolder {
  /** Folder names from the root to this folder. */
  path: string[];
  folders: string[];
  /** `ref` addresses the file in URLs: file names carry patient names, which stay out of URLs. */
  files: { name: string; ref: string; bytes: number; modifiedAt: string }[];
}

export interface BrowsedFile {
  name: string;
  mediaType: string;
  bytes: Uint8Array;
}

/**
 * Read-only view of a folder tree for the admin pages, so that a browser can open what the
 * platform writes to disk. Paths that leave the root are refused with a `BrowsePathError`.
 */
export interface FolderBrowser {
  /** The folder at `path`, undefined when there is none. */
  list(path: string[]): Promise<BrowsedFolder | undefined>;
  /** A file of the folder at `path`, by its `ref` or its name; undefined when there is none. */
  file(path: string[], which: { ref: string } | { name: string }): Promise<BrowsedFile | undefined>;
}

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Bus,
  type Database,
  describeError,
  enqueueEvents,
  type Logger,
  type OutboxRelay,
} from '@hip/shared';
import { type DossierReceived, TCS_SUBJECTS } from '@hip/shared/schemas';
import { intakeFiles, outbox } from '../db/schema.ts';
import { IntakeRejection, parsePatientXml } from '../domain/patient-xml.ts';

export const DOSSIER_IMAGES_BUCKET = 'tcs-dossiers';

export interface IntakeOptions {
  dir: string;
  maxBytes: number;
  /** A file modified more recently than this is still being written by the export job. */
  settleMs: number;
  db: Database;
  bus: Bus;
  relay: OutboxRelay;
  logger: Logger;
}

/**
 * The intake folder: `*.xml` files are parsed and published on `tcs.dossiers.received`, then
 * moved to `processed/`; refused ones go to `errors/` with `<name>.reason.txt` next to them.
 * Polling rather than fs.watch: the folder is an NFS mount, where inotify sees nothing.
 */
export function intakeFolder(options: IntakeOptions) {
  const { dir, db, bus, relay, logger } = options;
  const errorsDir = join(dir, 'errors');
  const processedDir = join(dir, 'processed');

  const moveTo = async (folder: string, name: string) => {
    await mkdir(folder, { recursive: true });
    let target = join(folder, name);
    // Never overwrite an earlier file of the same name: the operator may still need it.
    for (let n = 2; await exists(target); n++) target = join(folder, name.replace(/(\.xml)?$/i, `.${n}$1`));
    await rename(join(dir, name), target);
    return target;
  };

  const refuse = async (name: string, sha256: string, error: IntakeRejection) => {
    const target = await moveTo(errorsDir, name);
    await writeFile(`${target}.reason.txt`, `${error.message}\n`);
    await db.insert(intakeFiles).values({
      fileName: name,
      fileSha256: sha256,
      status: 'failed',
      reason: error.message,
      line: error.line ?? null,
      column: error.column ?? null,
    });
    logger.warn(
      { sha256: sha256.slice(0, 12), line: error.line, column: error.column },
      'patient XML refused',
    );
  };

  const handle = async (name: string) => {
    const path = join(dir, name);
    const info = await stat(path);
    if (Date.now() - info.mtimeMs < options.settleMs) return;
    if (info.size > options.maxBytes) {
      return refuse(
        name,
        '',
        new IntakeRejection(`file is ${info.size} bytes, more than INTAKE_MAX_BYTES (${options.maxBytes})`),
      );
    }
    const bytes = await readFile(path);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return refuse(name, sha256, new IntakeRejection('file is not valid UTF-8'));
    }
    let dossier: ReturnType<typeof parsePatientXml>;
    try {
      dossier = parsePatientXml(text);
    } catch (error) {
      // Parsing is pure: whatever it throws (fast-xml-parser's own limits, such as "Maximum
      // nested tags exceeded", included) comes from the file, and re-reading the same bytes
      // every poll would fail the same way. Only the I/O below is worth a retry.
      if (error instanceof IntakeRejection) return refuse(name, sha256, error);
      return refuse(name, sha256, new IntakeRejection(`unreadable XML: ${(error as Error).message}`));
    }
    const store = await bus.objects(DOSSIER_IMAGES_BUCKET);
    const images: DossierReceived['images'] = [];
    for (const image of dossier.images) {
      const object = { bucket: DOSSIER_IMAGES_BUCKET, name: `${sha256}/${image.name}` };
      await store.put(object.name, image.bytes);
      images.push({
        name: image.name,
        originalName: image.originalName,
        mediaType: image.mediaType,
        bytes: image.bytes.length,
        sha256: createHash('sha256').update(image.bytes).digest('hex'),
        object,
      });
    }
    const event: DossierReceived = {
      fileSha256: sha256,
      fileName: name,
      centre: dossier.centre,
      patient: dossier.patient,
      consultation: dossier.consultation,
      images,
      repairs: dossier.repairs,
    };
    await db.transaction(async (tx) => {
      await tx
        .insert(intakeFiles)
        .values({ fileName: name, fileSha256: sha256, status: 'received', repairs: dossier.repairs });
      await enqueueEvents(tx, outbox, [
        { subject: TCS_SUBJECTS.dossierReceived, msgId: `dossier.${sha256}`, payload: event },
      ]);
    });
    relay.kick();
    await moveTo(processedDir, name);
    logger.info(
      { sha256: sha256.slice(0, 12), images: images.length, repairs: dossier.repairs.length },
      'patient XML received',
    );
  };

  return {
    /** One pass over the folder; files are handled one by one, a failure never stops the others. */
    async scan(): Promise<void> {
      await mkdir(dir, { recursive: true });
      const entries = await readdir(dir, { withFileTypes: true });
      for (const entry of entries) {
        if (!entry.isFile() || entry.name.startsWith('.') || !/\.xml$/i.test(entry.name)) continue;
        try {
          await handle(entry.name);
        } catch (error) {
          logger.error({ err: describeError(error) }, 'patient XML intake failed, will retry');
        }
      }
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

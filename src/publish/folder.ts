import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PublishError, type DigestPost, type Publisher, type PublishedRef } from './types.js';

export interface FolderConfig {
  dir: string;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Writes each post to `<dir>/<day>/<key>.txt`, its chart to `<key>.png` and the chart's alt text to
 * `<key>.alt.txt` (without a day, straight into `<dir>`). For people who post by hand, and the
 * default when no network is configured. Publishing the same post again overwrites it.
 */
export class FolderPublisher implements Publisher {
  readonly name = 'folder';

  constructor(private readonly config: FolderConfig) {}

  async publish(post: DigestPost, signal?: AbortSignal): Promise<PublishedRef> {
    // The key and day become file names, so they must not be able to climb out of the folder.
    if (!SAFE_NAME.test(post.key)) throw new PublishError(`post key ${JSON.stringify(post.key)} is not a safe file name`, this.name, false);
    if (post.day !== undefined && !DAY.test(post.day)) throw new PublishError(`day ${JSON.stringify(post.day)} is not YYYY-MM-DD`, this.name, false);
    const dir = post.day ? path.join(this.config.dir, post.day) : this.config.dir;
    const base = path.join(dir, post.key);
    try {
      await mkdir(dir, { recursive: true });
      // The image first, the text last: a reader that sees the .txt finds its image complete.
      if (post.image) {
        await writeAtomically(`${base}.png`, post.image.png, signal);
        await writeAtomically(`${base}.alt.txt`, post.image.alt, signal);
      }
      await writeAtomically(`${base}.txt`, post.text, signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
      // Permissions and read-only disks stay broken until someone acts; anything else (a full disk) may pass.
      throw new PublishError(`could not write ${base}.* (${code})`, this.name, !['EACCES', 'EPERM', 'EROFS', 'ENOTDIR'].includes(code));
    }
    return { id: `${base}.txt`, url: pathToFileURL(`${base}.txt`).href };
  }
}

/** Write to a temporary sibling, then rename: readers never see half a file. */
async function writeAtomically(file: string, data: string | Buffer, signal?: AbortSignal): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, data, { signal });
  await rename(temp, file);
}

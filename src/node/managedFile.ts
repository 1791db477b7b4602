/**
 * Reading a managed file (managedProviders.ts) on Node, safely enough to do inside activate(): the path comes from a
 * setting, which another extension or a dev container's settings can write.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ManagedFile } from '../settings/managedProviders';

/**
 * A managed file: its text, nothing when it does not exist, or why it is not used. It grants organisation status, so
 * it must be an administrator's: an absolute local path (no UNC share, where a read would leak credentials and block),
 * a regular file (not a FIFO or a device, which would never end), at most 1 MB, owned by root and writable by nobody
 * else (a file the user's processes can write, any extension could write). Windows cannot be checked this way: there
 * only the fixed system path is read (see the README). Test runs also accept the running user's own files.
 */
export function readManagedFile(file: string, ownFilesOk: boolean): ManagedFile {
  if (!path.isAbsolute(file) || /^(\\\\|\/\/)/.test(file)) return { path: file, error: 'not an absolute local path' };
  let fd: number | undefined;
  try {
    // Most machines have no managed file: asking first spares activate() the cost of a thrown ENOENT. Whatever is
    // there when it is opened is what gets checked below.
    if (!fs.statSync(file, { throwIfNoEntry: false })) return { path: file };
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { path: file, error: 'not a regular file' };
    if (st.size > 1024 * 1024) return { path: file, error: 'larger than 1 MB' };
    const admin = st.uid === 0 || (ownFilesOk && st.uid === process.getuid?.());
    if (process.platform !== 'win32' && (!admin || (st.mode & 0o022) !== 0))
      return { path: file, error: 'not owned by root, or writable by others than its owner' };
    const buf = Buffer.alloc(st.size);
    const n = fs.readSync(fd, buf, 0, st.size, 0);
    return { path: file, text: buf.subarray(0, n).toString('utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? { path: file } : { path: file, error: code ?? 'unreadable' };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

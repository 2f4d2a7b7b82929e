import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/**
 * Follows a file another process is writing (k6's JSON output): each read returns the
 * text appended since the last, '' while there is none or the file does not exist yet.
 * A read can end inside a UTF-8 character; the decoder keeps its first bytes for the next.
 */
export class FileFollower {
  private offset = 0;
  private readonly decoder = new StringDecoder('utf8');
  private readonly buffer = Buffer.alloc(1 << 16);

  constructor(readonly file: string) {}

  read(): string {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw error;
    }
    let text = '';
    try {
      for (;;) {
        const read = fs.readSync(fd, this.buffer, 0, this.buffer.length, this.offset);
        if (read === 0) break;
        this.offset += read;
        text += this.decoder.write(this.buffer.subarray(0, read));
      }
    } finally {
      fs.closeSync(fd);
    }
    return text;
  }
}

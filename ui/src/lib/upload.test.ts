import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, Uploads, fileSize } from './upload.svelte';
import type { Attachment } from './api/Attachment';

const words = () => ({ tooBig: '{name} is too big', tooMany: 'too many files' });

function file(name: string, size: number): File {
  const f = new File(['x'], name);
  Object.defineProperty(f, 'size', { value: size });
  return f;
}

describe('files chosen for a message', () => {
  it('says at once what the desk would refuse, and sends the rest', async () => {
    const sent: string[] = [];
    let finish: (a: Attachment) => void = () => {};
    const uploads = new Uploads(
      (f, progress) => {
        sent.push(f.name);
        progress(0.5);
        return new Promise((ok) => (finish = ok));
      },
      words,
    );
    uploads.add([file('huge.zip', MAX_FILE_BYTES + 1), file('photo.png', 2048)]);
    expect(sent).toEqual(['photo.png']);
    expect(uploads.files.map((f) => f.error)).toEqual(['huge.zip is too big', null]);
    expect(uploads.files[1].progress).toBe(0.5);
    expect(uploads.busy).toBe(true);
    expect(uploads.ids).toEqual([]);
    finish({ id: '7', name: 'photo.png', content_type: 'image/png', size: 2048, url: '/attachments/7/x' });
    await Promise.resolve();
    await Promise.resolve();
    expect(uploads.busy).toBe(false);
    expect(uploads.ids).toEqual(['7']);
    uploads.remove(uploads.files[0].key);
    expect(uploads.files.map((f) => f.name)).toEqual(['photo.png']);
  });

  it('keeps a refusal from the desk next to the file', async () => {
    const uploads = new Uploads(() => Promise.reject(new Error("'a.svg' is not a kind of file the chat takes")), words);
    uploads.add([file('a.svg', 10)]);
    await new Promise((ok) => setTimeout(ok, 0));
    expect(uploads.files[0].error).toContain('not a kind of file');
    expect(uploads.busy).toBe(false);
  });

  it('takes at most five files on one message', () => {
    const uploads = new Uploads(() => new Promise(() => {}), words);
    uploads.add([1, 2, 3, 4, 5, 6].map((n) => file(`${n}.txt`, 1)));
    expect(uploads.files.filter((f) => f.error === 'too many files').map((f) => f.name)).toEqual(['6.txt']);
  });

  it('writes sizes the way people read them', () => {
    expect([fileSize(12), fileSize(2048), fileSize(1.5 * 1024 * 1024)]).toEqual(['12 B', '2 KB', '1.5 MB']);
  });
});

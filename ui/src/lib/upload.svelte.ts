// Files on their way to the desk (sent by `sendFile` in ./api): checked first for what the desk
// refuses anyway, and kept as an attachment id until the message goes.
import type { Attachment } from './api/Attachment';

/** The desk's limit (`MAX_ATTACHMENT_BYTES`). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_FILES = 5;

/** "1.2 MB", "340 KB", "12 B". */
export function fileSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

export interface PendingFile {
  key: number;
  name: string;
  size: number;
  /** 0…1 while sending. */
  progress: number;
  attachment: Attachment | null;
  error: string | null;
}

export interface UploadWords {
  tooBig: string; // "{name} is larger than 10 MB"
  tooMany: string; // "at most 5 files on one message"
}

/** The files chosen for the next message. */
export class Uploads {
  files = $state<PendingFile[]>([]);
  private next = 1;

  constructor(
    private readonly send: (file: File, progress: (f: number) => void) => Promise<Attachment>,
    private readonly words: () => UploadWords,
  ) {}

  /** Starts sending each file; one the desk would refuse shows why at once. */
  add(chosen: Iterable<File>) {
    for (const file of chosen) {
      const entry: PendingFile = { key: this.next++, name: file.name, size: file.size, progress: 0, attachment: null, error: null };
      if (this.files.filter((f) => !f.error).length >= MAX_FILES) entry.error = this.words().tooMany;
      else if (file.size > MAX_FILE_BYTES) entry.error = this.words().tooBig.replace('{name}', file.name);
      this.files.push(entry);
      if (entry.error) continue;
      const key = entry.key;
      const update = (change: Partial<PendingFile>) => {
        this.files = this.files.map((f) => (f.key === key ? { ...f, ...change } : f));
      };
      this.send(file, (progress) => update({ progress }))
        .then((attachment) => update({ attachment, progress: 1 }))
        .catch((e: unknown) => update({ error: e instanceof Error ? e.message : String(e) }));
    }
  }

  remove(key: number) {
    this.files = this.files.filter((f) => f.key !== key);
  }

  /** Still sending one. */
  get busy(): boolean {
    return this.files.some((f) => !f.attachment && !f.error);
  }

  /** The ids of the files that made it. */
  get ids(): string[] {
    return this.files.flatMap((f) => (f.attachment ? [f.attachment.id] : []));
  }

  clear() {
    this.files = [];
  }
}

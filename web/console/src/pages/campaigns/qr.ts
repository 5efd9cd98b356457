// QR images need the bearer token, so they are fetched with the API client as blobs and shown or
// saved through object URLs.
export type QrKind = "png" | "svg";

/** A file name people can recognise: campaign, channel, store, staff and the code, safe on every OS. */
export function qrFileName(parts: { campaign?: string | null; channel: string; store?: string | null; staff_id?: string | null; code: string }, kind: QrKind): string {
  const words = [parts.campaign, parts.channel, parts.store, parts.staff_id, parts.code]
    .filter((word): word is string => Boolean(word && word.trim()))
    .map((word) =>
      word
        .trim()
        .replace(/[\\/:*?"<>|#%&{}$!'`=@+\s\u0000-\u001f\u007f]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^[-.]+|[-.]+$/g, ""),
    )
    .filter(Boolean);
  return `${["qr", ...words].join("_").slice(0, 120)}.${kind}`;
}

/** Save a blob as a file: a real download, with its name. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.rel = "noopener";
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// QR images need the bearer token, so they are fetched with the API client as blobs and shown or
// saved through object URLs.
export type QrKind = "png" | "svg";

/** A file name people can recognise: campaign, channel, store, staff and the code, safe on every OS.
 * The code ends the name verbatim (codes are already file-safe: letters, digits, `_` and `-`), so
 * it always matches the code staff see, whatever the words before it are cut to. */
export function qrFileName(parts: { campaign?: string | null; channel: string; store?: string | null; staff_id?: string | null; code: string }, kind: QrKind): string {
  const words = [parts.campaign, parts.channel, parts.store, parts.staff_id]
    .filter((word): word is string => Boolean(word && word.trim()))
    .map((word) =>
      word
        .trim()
        .replace(/[\\/:*?"<>|#%&{}$!'`=@+\s\u0000-\u001f\u007f]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^[-.]+|[-.]+$/g, ""),
    )
    .filter(Boolean);
  const described = ["qr", ...words].join("_").slice(0, Math.max(2, 120 - parts.code.length - 1));
  return `${described}_${parts.code}.${kind}`;
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

// Images the API serves behind the bearer token (QR codes, posters) are fetched as blobs and shown
// through object URLs, each revoked when its blob is replaced or the view goes away.
import { useEffect, useState } from "react";

/** An object URL for the blob while it is shown (null until there is one, or once it is gone). */
export function useObjectUrl(blob: Blob | undefined): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob) {
      setUrl(null);
      return;
    }
    const made = URL.createObjectURL(blob);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [blob]);
  return url;
}

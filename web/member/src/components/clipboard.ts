// Copying a link for the member to paste into WeChat.

/** The text on the clipboard: false when there is no clipboard here (an old web view, a page not
 * served over HTTPS) or the browser refused. */
export async function copyText(text: string): Promise<boolean> {
  const clipboard = typeof navigator === "undefined" ? undefined : navigator.clipboard;
  if (typeof clipboard?.writeText !== "function") return false;
  try {
    await clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

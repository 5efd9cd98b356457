import { reduceMotion, restoreMotion } from "antd-mobile/es/utils/reduce-and-restore-motion";

const QUERY = "(prefers-reduced-motion: reduce)";

/** Popups, dialogs and toasts spring in unless the person asked their system for less motion
 * (WCAG 2.3.3); the setting is followed live. Returns what stops following it. */
export function followMotionPreference(): () => void {
  const media = window.matchMedia(QUERY);
  const apply = () => (media.matches ? reduceMotion() : restoreMotion());
  apply();
  media.addEventListener("change", apply);
  return () => media.removeEventListener("change", apply);
}

// What an error says to the person, the same in both apps: an API problem's detail (or its title),
// `fallback` (the app's "network unavailable" words) when no answer came at all, another error's
// message, anything else as text.
import { ApiError } from "./client";

export function problemText(error: unknown, fallback?: string): string {
  if (error instanceof ApiError) {
    if (error.status === 0 && fallback) return fallback;
    return error.problem.detail || error.problem.title;
  }
  if (error instanceof Error) return error.message || fallback || error.name;
  return String(error);
}

// How a contact reads on the page.
import type { Schemas } from "@shared/api/client";
import type { useContactsT } from "./messages";

type T = ReturnType<typeof useContactsT>;

export function contactName(contact: Schemas["ContactView"], unnamed: string): string {
  return contact.name || contact.identities.phone || contact.identities.email || unnamed;
}

function known(t: T, key: string, fallback: string): string {
  const text = t(key as Parameters<T>[0]);
  return text === key ? fallback : text;
}

export function lifecycleLabel(t: T, stage: string): string {
  return known(t, `lifecycle_${stage}`, stage);
}

export function entryTypeLabel(t: T, type: string): string {
  return known(t, `type_${type}`, type);
}

export function genderLabel(t: T, gender: string | null): string {
  return gender ? known(t, `gender_${gender}`, gender) : "—";
}

export function sourceLabel(t: T, type: string | undefined): string {
  return type ? known(t, `source_${type}`, type) : "—";
}

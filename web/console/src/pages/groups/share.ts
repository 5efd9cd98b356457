// The link members open to join a 群接龙: the member H5's path (on the member site, whose origin
// the console's runtime config does not name) with the tenant, so a signed-out member signs in to
// the right one and lands back on the sheet.
export function shareLink(linkPath: string, tenantId: string): string {
  const separator = linkPath.includes("?") ? "&" : "?";
  return `${linkPath}${separator}tenant=${encodeURIComponent(tenantId)}`;
}

// What an error says to the person, and where a 422's field errors show on a form: one helper per
// concept, shared with the member H5 (web/shared/api), re-exported here for the console's pages.
export { nearestControl, placeFieldErrors, type FieldName } from "@shared/api/fields";
export { problemText } from "@shared/api/problems";

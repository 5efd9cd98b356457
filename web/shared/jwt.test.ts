// @vitest-environment node
import { decodeJwtClaims } from "./jwt";

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const token = (claims: unknown) => `${base64url('{"alg":"RS256"}')}.${base64url(JSON.stringify(claims))}.sig`;

describe("decodeJwtClaims", () => {
  it("reads a base64url payload without padding, UTF-8 included", () => {
    const claims = { sub: "c_1", tenant_id: "t-1", exp: 1_900_000_000, name: "张三 ~?>", roles: ["manager"] };
    expect(decodeJwtClaims(token(claims))).toEqual(claims);
  });

  it("refuses a token whose payload is not a JSON object", () => {
    expect(() => decodeJwtClaims(token([1, 2]))).toThrow();
    expect(() => decodeJwtClaims("not-a-token")).toThrow();
  });
});

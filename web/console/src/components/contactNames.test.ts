// @vitest-environment node
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApi } from "@shared/api/client";
import { ContactNameLoader, NAMES_PER_CALL } from "./contactNames";

function namesApi(answer: (ids: string[]) => Response) {
  const asked: string[][] = [];
  const fetch = vi.fn(async (input: Request) => {
    const ids = new URL(input.url).searchParams.getAll("id");
    asked.push(ids);
    return answer(ids);
  });
  vi.stubGlobal("fetch", fetch);
  return { asked, api: createApi("https://api.example", () => "t") };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json" } });

afterEach(() => vi.unstubAllGlobals());

describe("ContactNameLoader", () => {
  it("asks once for the ids of one turn, in calls of up to 50, and answers each ask", async () => {
    const { asked, api } = namesApi((ids) =>
      json(200, { items: ids.filter((id) => id !== "ct_gone").map((id) => ({ contact_id: id, survivor_id: id === "ct_alias" ? "ct_main" : id, display_name: `name of ${id}` })) }),
    );
    const loader = new ContactNameLoader(api);
    const ids = Array.from({ length: NAMES_PER_CALL + 5 }, (_, n) => `ct_${n}`);
    const answers = await Promise.all([...ids, "ct_alias", "ct_gone", "ct_0"].map((id) => loader.load(id)));
    expect(asked.map((call) => call.length)).toEqual([NAMES_PER_CALL, 7]);
    expect(new Set(asked.flat()).size).toBe(asked.flat().length);
    expect(answers[0]).toEqual({ contact_id: "ct_0", survivor_id: "ct_0", display_name: "name of ct_0" });
    expect(answers.at(-3)).toMatchObject({ survivor_id: "ct_main" });
    expect(answers.at(-2)).toBeNull();
    expect(answers.at(-1)).toEqual(answers[0]);

    await loader.load("ct_later");
    expect(asked.at(-1)).toEqual(["ct_later"]);
  });

  it("fails the asks of a call the API refused", async () => {
    const { api } = namesApi(() => json(403, { type: "about:blank", title: "Forbidden", status: 403, detail: "no" }));
    await expect(new ContactNameLoader(api).load("ct_1")).rejects.toBeTruthy();
  });
});

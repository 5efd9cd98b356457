// A referral program's poster: the sample preview is fetched with the staff token and shown through
// an object URL; a writer uploads a background (sent as base64; a file that is not a PNG or JPEG or
// is over 180 KiB is refused before anything is sent; the API's refusal shows as it says) or goes
// back to the default one after confirming (offered only when the program has one of its own), and
// the preview is drawn again after each change (the one it replaces revoked). An ended program's
// background no longer changes; the roles that cannot read the preview see no poster section on
// the campaign page.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { fakeApi, renderInConsole, type Answer, type Recorded } from "../../components/testing";
import CampaignPage from "./CampaignPage";
import { backgroundProblem, PosterSection, readBase64 } from "./PosterSection";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

const campaign = {
  campaign_id: "cmp_1",
  name: "春季老带新",
  kind: "referral",
  status: "active",
  brand: null,
  starts_at: "2026-01-01T00:00:00Z",
  ends_at: "2027-01-01T00:00:00Z",
  acquisition_points: 0,
  engagement_points: 0,
  points_budget: 1000,
  points_awarded: 0,
  entry_url: null,
  created_at: "2026-01-01T00:00:00Z",
  referral: { stages: [{ invitees: 1, points: 100 }], welcome_points: 0, qualifying_action: "phone_bound", per_inviter_cap: null, clawback_days: 7, share_visitor_points: 0, share_visitors_per_day: 10 },
} as unknown as Parameters<typeof PosterSection>[0]["campaign"];

// jsdom has no object URLs: each blob gets its own name, and what was revoked is kept.
const made = new Map<string, Blob>();
const revoked: string[] = [];
const original = { create: URL.createObjectURL, revoke: URL.revokeObjectURL };

beforeEach(() => {
  made.clear();
  revoked.length = 0;
  URL.createObjectURL = (blob: Blob) => {
    const url = `blob:preview-${made.size + 1}`;
    made.set(url, blob);
    return url;
  };
  URL.revokeObjectURL = (url: string) => void revoked.push(url);
});

afterEach(() => {
  vi.unstubAllGlobals();
  URL.createObjectURL = original.create;
  URL.revokeObjectURL = original.revoke;
});

/** The fake answers the preview with a JSON string: its bytes say which drawing it is. */
function posterApi(more: Record<string, (request: Recorded) => Answer> = {}) {
  let drawn = 0;
  return fakeApi({ "GET /v1/campaigns/{campaign_id}/poster.png": () => [200, `sample-${++drawn}`], ...more });
}

async function previewShows(drawing: string) {
  await waitFor(
    async () => {
      const image = screen.getByTestId("poster-preview");
      expect(await made.get(image.getAttribute("src") ?? "")?.text()).toBe(JSON.stringify(drawing));
    },
    { timeout: SLOW / 2 },
  );
}

const fileInput = (container: HTMLElement) => container.querySelector('input[type="file"]') as HTMLInputElement;
const choose = (container: HTMLElement, file: File) => fireEvent.change(fileInput(container), { target: { files: [file] } });
const png = (bytes: number[] | Uint8Array, name = "bg.png") => new File([new Uint8Array(bytes)], name, { type: "image/png" });

describe("backgroundProblem", () => {
  it("takes a PNG or JPEG of at most 180 KiB, read by its extension when the browser gives no type", () => {
    expect(backgroundProblem({ name: "a.png", type: "image/png", size: 180 * 1024 })).toBeNull();
    expect(backgroundProblem({ name: "a.JPG", type: "", size: 10 })).toBeNull();
    expect(backgroundProblem({ name: "a.png", type: "image/png", size: 180 * 1024 + 1 })).toBe("posterTooLarge");
    expect(backgroundProblem({ name: "a.gif", type: "image/gif", size: 10 })).toBe("posterWrongType");
    expect(backgroundProblem({ name: "a.webp", type: "", size: 10 })).toBe("posterWrongType");
  });

  it("reads a file as base64", async () => {
    expect(await readBase64(png([0x89, 0x50, 0x4e, 0x47]))).toBe("iVBORw==");
  });
});

describe("PosterSection", () => {
  it("shows the sample poster and uploads a background as base64, then shows the poster drawn again", async () => {
    const api = posterApi({ "PUT /v1/campaigns/{campaign_id}/poster": () => [204, undefined] });
    const { container } = renderInConsole(<PosterSection campaign={campaign} />, { roles: ["manager"] });
    expect(screen.getByLabelText("Loading…")).toHaveAttribute("role", "status"); // the poster's shape while it is drawn
    await previewShows("sample-1");
    expect(screen.queryByLabelText("Loading…")).not.toBeInTheDocument();
    expect(screen.getByRole("img", { name: "Sample poster of 春季老带新" })).toHaveAttribute("width", "240");
    expect(api.requests[0].path).toBe("/v1/campaigns/cmp_1/poster.png");
    expect(api.fetch.mock.calls[0][0].headers.get("Authorization")).toBe("Bearer test-token");
    // No background of its own yet: nothing to remove.
    expect(screen.getByTestId("poster-background")).toHaveTextContent("Background: the default green");
    expect(screen.queryByText("Use the default background")).not.toBeInTheDocument();

    choose(container, png([0x89, 0x50, 0x4e, 0x47]));
    expect(await screen.findByText("Poster background updated", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    const put = api.requests.find((request) => request.method === "PUT");
    expect(put).toMatchObject({ path: "/v1/campaigns/cmp_1/poster", body: { image_base64: "iVBORw==" } });
    await previewShows("sample-2");
    expect(revoked).toEqual(["blob:preview-1"]);
  }, SLOW);

  it("refuses a file that is not a PNG or JPEG, or is over 180 KiB, before sending it", async () => {
    const api = posterApi();
    const { container } = renderInConsole(<PosterSection campaign={campaign} />, { roles: ["admin"] });
    await previewShows("sample-1");

    choose(container, new File(["GIF89a"], "party.gif", { type: "image/gif" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("This image cannot be the poster's background");
    expect(alert).toHaveTextContent("Only PNG or JPEG images can be used; party.gif is neither.");

    choose(container, png(new Uint8Array(180 * 1024 + 1), "huge.png"));
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("huge.png is 181 KB, over the 180 KB limit"));
    expect(api.requests.map((request) => request.method)).toEqual(["GET"]);
  }, SLOW);

  it("shows the API's refusal of an image as it says it", async () => {
    posterApi({
      "PUT /v1/campaigns/{campaign_id}/poster": () => [
        422,
        { type: "about:blank", title: "Unprocessable", status: 422, detail: "The image is over 2000 pixels a side.", errors: [{ loc: ["body", "image_base64"], msg: "The image is over 2000 pixels a side." }] },
      ],
    });
    const { container } = renderInConsole(<PosterSection campaign={campaign} />, { roles: ["manager"] });
    await previewShows("sample-1");
    choose(container, png([1, 2, 3], "wide.png"));
    const alert = await screen.findByRole("alert", {}, { timeout: SLOW / 2 });
    expect(alert).toHaveTextContent("This image cannot be the poster's background");
    expect(alert).toHaveTextContent("The image is over 2000 pixels a side.");
    expect(screen.queryByText("Poster background updated")).not.toBeInTheDocument();
  }, SLOW);

  it("goes back to the default background after confirming, then shows the poster drawn again", async () => {
    const api = posterApi({ "DELETE /v1/campaigns/{campaign_id}/poster": () => [204, undefined] });
    renderInConsole(<PosterSection campaign={{ ...campaign, poster_set_at: "2026-03-01T04:05:00Z" }} />, { roles: ["manager"] });
    await previewShows("sample-1");
    expect(screen.getByTestId("poster-background")).toHaveTextContent(/^Background: the program's own image \(uploaded 2026-03-01 \d\d:05\)$/);
    fireEvent.click(screen.getByText("Use the default background"));
    const confirm = await screen.findByText("Go back to the default background?");
    expect(api.requests.some((request) => request.method === "DELETE")).toBe(false);
    fireEvent.click(within(confirm.closest(".ant-popover") as HTMLElement).getByText("Use the default"));
    expect(await screen.findByText("Back to the default background", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    expect(api.requests.find((request) => request.method === "DELETE")?.path).toBe("/v1/campaigns/cmp_1/poster");
    await previewShows("sample-2");
  }, SLOW);

  it("keeps an ended program's background as it is", async () => {
    posterApi();
    renderInConsole(<PosterSection campaign={{ ...campaign, status: "ended", poster_set_at: "2026-03-01T04:05:00Z" }} />, { roles: ["manager"] });
    await previewShows("sample-1");
    expect(screen.getByText("The program has ended: its poster background can no longer change.")).toBeInTheDocument();
    expect(screen.queryByText("Upload a background")).not.toBeInTheDocument();
    expect(screen.queryByText("Use the default background")).not.toBeInTheDocument();
  }, SLOW);

  it("says when the preview cannot be drawn, and draws it on a retry", async () => {
    let calls = 0;
    fakeApi({
      "GET /v1/campaigns/{campaign_id}/poster.png": () =>
        ++calls === 1 ? [503, { type: "about:blank", title: "Unavailable", status: 503, detail: "Posters cannot be drawn now: no font is installed." }] : [200, "sample-2"],
    });
    renderInConsole(<PosterSection campaign={campaign} />, { roles: ["manager"] });
    expect(await screen.findByText("Posters cannot be drawn now: no font is installed.", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    fireEvent.click(screen.getByText("Retry"));
    await previewShows("sample-2");
  }, SLOW);
});

describe("the campaign page", () => {
  const routes = (drawn: { count: number }) => ({
    "GET /v1/campaigns/{campaign_id}": (): Answer => [200, campaign],
    "GET /v1/campaigns/{campaign_id}/poster.png": (): Answer => [200, `sample-${++drawn.count}`],
  });

  it("shows the poster section to a manager", async () => {
    fakeApi(routes({ count: 0 }));
    renderInConsole(<CampaignPage />, { roles: ["manager"], url: "/campaigns/cmp_1", path: "/campaigns/:campaignId" });
    expect(await screen.findByText("Poster", { selector: "h2" }, { timeout: SLOW / 2 })).toBeInTheDocument();
    await previewShows("sample-1");
  }, SLOW);

  it("shows no poster section to a role that cannot read the preview", async () => {
    const drawn = { count: 0 };
    const api = fakeApi(routes(drawn));
    renderInConsole(<CampaignPage />, { roles: ["agent"], url: "/campaigns/cmp_1", path: "/campaigns/:campaignId" });
    expect(await screen.findByText("Referral rules", { selector: "h2" }, { timeout: SLOW / 2 })).toBeInTheDocument();
    expect(screen.queryByText("Poster", { selector: "h2" })).not.toBeInTheDocument();
    expect(api.requests.some((request) => request.path.endsWith("/poster.png"))).toBe(false);
  }, SLOW);
});

// The journey builder: the graph (trigger, steps, links, per-step stats of the version shown), a
// side panel (a drawer on a phone) editing the selected step or the trigger and rules, save (a new
// journey as a draft; a change as a new version — enrolled contacts finish on theirs), a 422 shown
// on the step it names, pause / resume, and the versions, each viewable read-only with its stats.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Drawer, Flex, Grid, List, Space, Typography } from "antd";
import { useEffect, useMemo, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router-dom";
import { ApiError, idempotencyKey, unwrap, type Schemas } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { CursorPager, useCursorPages } from "../../components/cursor";
import { BackLink, TitleBar } from "../../components/headings";
import { ErrorState, QueryState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { formatTime } from "../../components/format";
import { useCommonT } from "../../components/messages";
import { problemText } from "../../components/problems";
import { addAfter, addBefore, blankDefinition, problemsOnSteps, removeStep, unchosenTemplates, type Definition, type GraphProblems, type Step } from "./graph";
import { JourneyGraph, TRIGGER_NODE } from "./JourneyGraph";
import { useJourneysT } from "./messages";
import { SettingsForm, StepActions, StepForm, type Choice } from "./StepPanel";
import { STATUS_TONES, type Names } from "./view";

const NO_PROBLEMS: GraphProblems = { byStep: {}, general: [] };

export default function JourneyPage() {
  const { journeyId = "" } = useParams();
  return journeyId === "new" ? <NewJourney /> : <ExistingJourney key={journeyId} journeyId={journeyId} />;
}

function NewJourney() {
  const t = useJourneysT();
  const api = useApi();
  const [params] = useSearchParams();
  const key = params.get("template");
  const templates = useQuery({ queryKey: ["journey-templates"], queryFn: () => unwrap(api.GET("/v1/journey-templates")), enabled: Boolean(key), staleTime: 5 * 60_000 });
  if (!key) return <Builder key="blank" initial={blankDefinition(t("blankName"))} />;
  return (
    <QueryState query={templates}>
      {(data) => {
        const template = data.items.find((item) => item.key === key);
        return template ? <Builder key={key} initial={template.definition} /> : <ErrorState error={new Error(key)} />;
      }}
    </QueryState>
  );
}

function ExistingJourney({ journeyId }: { journeyId: string }) {
  const api = useApi();
  const [params] = useSearchParams();
  const version = Number(params.get("version")) || null;
  const journey = useQuery({ queryKey: ["journey", journeyId], queryFn: () => unwrap(api.GET("/v1/journeys/{journey_id}", { params: { path: { journey_id: journeyId } } })) });
  return (
    <QueryState query={journey}>
      {(view) =>
        version && version !== view.latest_version ? <OldVersion journey={view} version={version} /> : <Builder key={`${view.journey_id}-${view.version}`} initial={view.definition} journey={view} />
      }
    </QueryState>
  );
}

function useChoices() {
  const api = useApi();
  const templates = useQuery({ queryKey: ["templates", "journey-choices"], queryFn: () => unwrap(api.GET("/v1/templates", { params: { query: { limit: 200 } } })) });
  const segments = useQuery({ queryKey: ["segments", "journey-choices"], queryFn: () => unwrap(api.GET("/v1/segments")) });
  return useMemo(() => {
    const templateChoices: Choice[] = (templates.data?.items ?? []).filter((tpl) => tpl.channel !== "wecom_group").map((tpl) => ({ value: tpl.template_id, label: tpl.name }));
    const segmentChoices: Choice[] = (segments.data?.items ?? []).map((s) => ({ value: s.segment_id, label: s.name }));
    const lookup = (choices: Choice[]) => (id: string) => choices.find((c) => c.value === id)?.label ?? id;
    const names: Names = { template: lookup(templateChoices), segment: lookup(segmentChoices) };
    return { templates: templateChoices, segments: segmentChoices, names };
  }, [templates.data, segments.data]);
}

function useStats(journeyId: string | undefined, version: number | undefined, live: boolean) {
  const api = useApi();
  const can = useCan();
  return useQuery({
    queryKey: ["journey", journeyId, "stats", version],
    queryFn: () => unwrap(api.GET("/v1/journeys/{journey_id}/stats", { params: { path: { journey_id: journeyId as string }, query: { version } } })),
    enabled: Boolean(journeyId) && can("GET /v1/journeys/{journey_id}/stats"),
    refetchInterval: live ? 15_000 : false,
  });
}

function Builder({ initial, journey }: { initial: Definition; journey?: Schemas["JourneyView"] }) {
  const t = useJourneysT();
  const api = useApi();
  const can = useCan();
  const navigate = useNavigate();
  const client = useQueryClient();
  const { message } = App.useApp();
  const { templates, segments, names } = useChoices();
  const [draft, setDraft] = useState<Definition>(initial);
  const [dirty, setDirty] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [problems, setProblems] = useState<GraphProblems>(NO_PROBLEMS);
  const [stale, setStale] = useState(false);
  const [createKey] = useState(idempotencyKey);
  const editable = journey ? can("PUT /v1/journeys/{journey_id}") : can("POST /v1/journeys");
  const stats = useStats(journey?.journey_id, journey?.latest_version, journey?.status === "live");

  const change = (next: Definition) => {
    setDraft(next);
    setDirty(true);
  };
  const save = useMutation({
    mutationFn: (definition: Definition) =>
      journey
        ? unwrap(api.PUT("/v1/journeys/{journey_id}", { params: { path: { journey_id: journey.journey_id } }, body: { ...definition, version: journey.version } }))
        : unwrap(api.POST("/v1/journeys", { body: definition, headers: { "Idempotency-Key": createKey } })),
    onSuccess: (view) => {
      setProblems(NO_PROBLEMS);
      setDirty(false);
      client.setQueryData(["journey", view.journey_id], view);
      void client.invalidateQueries({ queryKey: ["journeys"] });
      void client.invalidateQueries({ queryKey: ["journey", view.journey_id, "versions"] });
      if (journey) void message.success(t("savedVersion", { version: view.latest_version, previous: journey.latest_version }));
      else {
        void message.success(t("created"));
        navigate(`/journeys/${encodeURIComponent(view.journey_id)}`, { replace: true });
      }
    },
    onError: (error, definition) => {
      if (error instanceof ApiError && error.status === 409) return setStale(true);
      const found = error instanceof ApiError && error.status === 422 ? problemsOnSteps(error.problem, definition) : { byStep: {}, general: [problemText(error)] };
      setProblems(found);
      const first = Object.keys(found.byStep)[0];
      if (first) setSelected(first);
    },
  });
  const onSave = () => {
    const missing = unchosenTemplates(draft.steps);
    if (missing.length) {
      setProblems({ byStep: Object.fromEntries(missing.map((id) => [id, [t("templateMissing")]])), general: [t("chooseTemplates", { steps: missing.join(", ") })] });
      setSelected(missing[0]);
      return;
    }
    save.mutate(draft);
  };
  const problemLines = [...problems.general, ...Object.entries(problems.byStep).flatMap(([id, list]) => list.map((m) => (m.startsWith(`${id}:`) ? m : `${id}: ${m}`)))];
  const wasLive = journey && journey.status !== "draft";
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <BackLink to="/journeys">{t("backToList")}</BackLink>
      <TitleBar
        title={
          <>
            {draft.name || t("newJourney")} {journey && <ToneTag tone={STATUS_TONES[journey.status]}>{t(`status_${journey.status}`)}</ToneTag>}
            {journey && <ToneTag tone="info">{t("versionLabel", { version: journey.latest_version })}</ToneTag>}
          </>
        }
        extra={
          <Space wrap>
            {journey && <StatusButtons journey={journey} />}
            {editable && (
              <Button type="primary" onClick={onSave} loading={save.isPending}>
                {journey ? t("save") : t("saveNew")}
              </Button>
            )}
          </Space>
        }
      />
      {wasLive && editable && <Alert type="info" showIcon title={t("newVersionNote", { next: journey.latest_version + 1, current: journey.latest_version })} />}
      {dirty && <Typography.Text>{t("unsaved")}</Typography.Text>}
      {stale && (
        <Alert
          type="warning"
          showIcon
          role="alert"
          title={t("stale")}
          action={
            <Button size="small" onClick={() => void client.invalidateQueries({ queryKey: ["journey", journey?.journey_id] }).then(() => setStale(false))}>
              {t("reload")}
            </Button>
          }
        />
      )}
      {problemLines.length > 0 && (
        <Alert type="error" showIcon role="alert" data-testid="graph-problems" title={t("problemsTitle")} description={<ul style={{ margin: 0, paddingLeft: 16 }}>{problemLines.map((line) => <li key={line}>{line}</li>)}</ul>} />
      )}
      <GraphAndPanel
        definition={draft}
        stats={stats.data}
        names={names}
        selected={selected}
        onSelect={setSelected}
        problems={problems.byStep}
        readOnly={!editable}
        templates={templates}
        segments={segments}
        onChange={change}
      />
      {journey && <Versions journey={journey} />}
    </Space>
  );
}

function GraphAndPanel({
  definition,
  stats,
  names,
  selected,
  onSelect,
  problems,
  readOnly,
  templates,
  segments,
  onChange,
}: {
  definition: Definition;
  stats?: Schemas["JourneyStats"];
  names: Names;
  selected: string | null;
  onSelect: (id: string | null) => void;
  problems: Record<string, string[]>;
  readOnly: boolean;
  templates: Choice[];
  segments: Choice[];
  onChange: (definition: Definition) => void;
}) {
  const t = useJourneysT();
  const common = useCommonT();
  const screens = Grid.useBreakpoint();
  const { modal, message } = App.useApp();
  const wide = Boolean(screens.lg);
  const step = definition.steps.find((s) => s.id === selected);
  const replaceStep = (next: Step) => onChange({ ...definition, steps: definition.steps.map((s) => (s.id === next.id ? next : s)) });
  const title = selected === TRIGGER_NODE ? (readOnly ? t("settings") : t("editSettings")) : step ? t(readOnly ? "viewStep" : "editStep", { id: step.id }) : "";
  const panel =
    selected === TRIGGER_NODE ? (
      <SettingsForm key="settings" definition={definition} segments={segments} readOnly={readOnly} onChange={onChange} />
    ) : step ? (
      <>
        <StepForm key={step.id} step={step} steps={definition.steps} templates={templates} segments={segments} readOnly={readOnly} problems={problems[step.id] ?? []} onChange={replaceStep} />
        {!readOnly && (
          <StepActions
            key={`actions-${step.id}`}
            step={step}
            onAddAfter={(type) => {
              const added = addAfter(definition, step.id, type);
              onChange(added.definition);
              onSelect(added.id);
            }}
            onAddBefore={(type) => {
              const added = addBefore(definition, step.id, type);
              onChange(added.definition);
              onSelect(added.id);
            }}
            onDelete={() => {
              const removed = removeStep(definition, step.id);
              if (!removed) return void message.error(t("cannotDelete"));
              void modal.confirm({
                title: t("confirmDelete", { id: step.id }),
                okText: common("delete"),
                cancelText: common("cancel"),
                onOk: () => {
                  onChange(removed);
                  onSelect(null);
                },
              });
            }}
          />
        )}
      </>
    ) : null;
  const graph = (
    <Card
      title={
        <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
          {t("graph")}
        </Typography.Title>
      }
      extra={stats && <span>{t("totals", { enrolled: stats.enrolled, active: stats.active, exited: stats.exited, converted: stats.converted })}</span>}
      styles={{ body: { padding: 12 } }}
    >
      {!selected && <Typography.Paragraph>{t("selectHint")}</Typography.Paragraph>}
      <JourneyGraph definition={definition} stats={stats?.steps} names={names} selected={selected} problems={problems} onSelect={onSelect} />
    </Card>
  );
  if (!wide)
    return (
      <>
        {graph}
        <Drawer open={Boolean(panel)} onClose={() => onSelect(null)} title={title} size="default" placement="right" width="100%">
          {panel}
        </Drawer>
      </>
    );
  return (
    <Flex gap={16} align="start">
      <div style={{ flex: 1, minWidth: 0 }}>{graph}</div>
      {panel && (
        <Card
          role="region"
          aria-label={title}
          title={
            <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
              {title}
            </Typography.Title>
          }
          extra={
            <Button size="small" onClick={() => onSelect(null)}>
              {t("close")}
            </Button>
          }
          style={{ width: 380, flex: "none" }}
        >
          {panel}
        </Card>
      )}
    </Flex>
  );
}

function StatusButtons({ journey }: { journey: Schemas["JourneyView"] }) {
  const t = useJourneysT();
  const common = useCommonT();
  const api = useApi();
  const can = useCan();
  const client = useQueryClient();
  const { modal, message } = App.useApp();
  const path = { params: { path: { journey_id: journey.journey_id } } };
  const act = useMutation({
    mutationFn: (action: "pause" | "resume") => unwrap(action === "pause" ? api.POST("/v1/journeys/{journey_id}/pause", path) : api.POST("/v1/journeys/{journey_id}/resume", path)),
    onSuccess: (view) => {
      client.setQueryData(["journey", view.journey_id], view);
      void client.invalidateQueries({ queryKey: ["journeys"] });
      void message.success(t("statusChanged", { status: t(`status_${view.status}`) }));
    },
    onError: (error) => void message.error(problemText(error)),
  });
  const action = journey.status === "live" ? "pause" : "resume";
  if (!can(`POST /v1/journeys/{journey_id}/${action}`)) return null;
  const label = action === "pause" ? t("pause") : journey.status === "draft" ? t("goLive") : t("resume");
  const question = action === "pause" ? t("confirmPause", { name: journey.name }) : journey.status === "draft" ? t("confirmGoLive", { name: journey.name }) : t("confirmResume", { name: journey.name });
  return (
    <Button
      loading={act.isPending}
      onClick={() => void modal.confirm({ title: question, okText: label, cancelText: common("cancel"), onOk: () => act.mutateAsync(action).catch(() => undefined) })}
    >
      {label}
    </Button>
  );
}

function Versions({ journey, current }: { journey: Schemas["JourneyView"]; current?: number }) {
  const t = useJourneysT();
  const api = useApi();
  const [, setParams] = useSearchParams();
  const pages = useCursorPages(["journey", journey.journey_id, "versions", journey.latest_version], (cursor) =>
    unwrap(api.GET("/v1/journeys/{journey_id}/versions", { params: { path: { journey_id: journey.journey_id }, query: { limit: 10, cursor } } })),
  );
  const shown = current ?? journey.latest_version;
  return (
    <Card
      title={
        <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
          {t("versions")}
        </Typography.Title>
      }
    >
      <QueryState query={pages.query}>
        {(page) => (
          <>
            <List
              dataSource={page.items}
              renderItem={(item) => (
                <List.Item key={item.version}>
                  <Button
                    type={item.version === shown ? "primary" : "link"}
                    aria-current={item.version === shown ? "true" : undefined}
                    onClick={() => setParams(item.version === journey.latest_version ? {} : { version: String(item.version) })}
                  >
                    {t("versionLabel", { version: item.version })}
                    {item.version === journey.latest_version ? ` (${t("latest")})` : ""}
                  </Button>
                  <span>{t("createdBy", { at: formatTime(item.created_at), by: item.created_by })}</span>
                </List.Item>
              )}
            />
            <CursorPager pages={pages} />
          </>
        )}
      </QueryState>
    </Card>
  );
}

function OldVersion({ journey, version }: { journey: Schemas["JourneyView"]; version: number }) {
  const t = useJourneysT();
  const api = useApi();
  const [, setParams] = useSearchParams();
  const { templates, segments, names } = useChoices();
  const [selected, setSelected] = useState<string | null>(null);
  const stats = useStats(journey.journey_id, version, false);
  // The versions list pages newest first; the one shown is found by reading until it appears.
  const definition = useQuery({
    queryKey: ["journey", journey.journey_id, "version", version],
    queryFn: async () => {
      let cursor: string | undefined;
      for (;;) {
        const page = await unwrap(api.GET("/v1/journeys/{journey_id}/versions", { params: { path: { journey_id: journey.journey_id }, query: { limit: 50, cursor } } }));
        const found = page.items.find((item) => item.version === version);
        if (found) return found.definition;
        if (!page.next_cursor) throw new Error(t("versionLabel", { version }));
        cursor = page.next_cursor;
      }
    },
  });
  useEffect(() => setSelected(null), [version]);
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <BackLink to="/journeys">{t("backToList")}</BackLink>
      <TitleBar
        title={
          <>
            {journey.name} <ToneTag tone={STATUS_TONES[journey.status]}>{t(`status_${journey.status}`)}</ToneTag>
            <ToneTag tone="note">{t("readOnly")}</ToneTag>
          </>
        }
        extra={<Button onClick={() => setParams({})}>{t("backToLatest")}</Button>}
      />
      <Alert type="info" showIcon title={t("viewingVersion", { version })} />
      <QueryState query={definition}>
        {(graph) => (
          <GraphAndPanel definition={graph} stats={stats.data} names={names} selected={selected} onSelect={setSelected} problems={{}} readOnly templates={templates} segments={segments} onChange={() => undefined} />
        )}
      </QueryState>
      <Versions journey={journey} current={version} />
    </Space>
  );
}

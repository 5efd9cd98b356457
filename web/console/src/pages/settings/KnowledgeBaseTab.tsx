// Knowledge-base articles and canned replies: list (by category), search, create, edit, delete.
// An article with auto-reply answers channel messages containing one of its keywords.
import { App, Button, Flex, Form, Input, Popconfirm, Select, Space, Switch, Table, Tag } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { EditDrawer, type Editing } from "../../components/EditDrawer";
import { FormActions, FormProblems, useProblemForm } from "../../components/forms";
import { CreateButton, TitleBar } from "../../components/headings";
import { QueryState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { useCommonT } from "../../components/messages";
import { useSettingsT } from "./messages";
import { WordsInput } from "../../components/WordsInput";
import { problemText } from "../../components/problems";

type Article = Schemas["ArticleView"];
type ArticleValues = Schemas["ArticleWrite"];

export function KnowledgeBaseTab() {
  const t = useSettingsT();
  const common = useCommonT();
  const can = useCan();
  const api = useApi();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [category, setCategory] = useState("");
  const [search, setSearch] = useState("");
  const [editing, setEditing] = useState<Editing<Article>>(null);
  const list = useQuery({
    queryKey: ["kb-articles", category],
    queryFn: () => unwrap(api.GET("/v1/kb/articles", { params: { query: { category: category || undefined } } })),
    enabled: !search,
  });
  const found = useQuery({
    queryKey: ["kb-search", search],
    queryFn: () => unwrap(api.GET("/v1/kb/search", { params: { query: { q: search } } })),
    enabled: Boolean(search),
  });
  const remove = useMutation({
    mutationFn: (article_id: string) => unwrap(api.DELETE("/v1/kb/articles/{article_id}", { params: { path: { article_id } } })),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ["kb-articles"] });
      void queries.invalidateQueries({ queryKey: ["kb-search"] });
    },
  });
  const table = (items: Article[]) => (
    <Table
      rowKey="article_id"
      pagination={false}
      scroll={{ x: true }}
      dataSource={items}
      columns={[
        { title: t("articleTitle"), dataIndex: "title" },
        { title: t("kind"), dataIndex: "kind", render: (kind: Article["kind"]) => t(`kind_${kind}`) },
        { title: t("category"), dataIndex: "category", render: (value: string | null) => value ?? "—" },
        { title: t("ruleKeywords"), dataIndex: "keywords", render: (words: string[] | undefined) => (words ?? []).map((w) => <Tag key={w}>{w}</Tag>) },
        { title: t("autoReply"), dataIndex: "auto_reply", render: (on: boolean) => (on ? <ToneTag tone="success">{common("yes")}</ToneTag> : common("no")) },
        ...(can("PUT /v1/kb/articles/{article_id}")
          ? [
              {
                title: common("actions"),
                render: (_: unknown, article: Article) => (
                  <Space>
                    <Button onClick={() => setEditing(article)} aria-label={`${common("edit")} ${article.title}`}>
                      {common("edit")}
                    </Button>
                    <Popconfirm
                      title={t("deleteArticleConfirm", { title: article.title })}
                      okText={common("delete")}
                      cancelText={common("cancel")}
                      onConfirm={async () => {
                        try {
                          await remove.mutateAsync(article.article_id);
                          void message.success(t("deleted"));
                        } catch (error) {
                          void message.error(problemText(error));
                        }
                      }}
                    >
                      <Button danger aria-label={`${common("delete")} ${article.title}`}>
                        {common("delete")}
                      </Button>
                    </Popconfirm>
                  </Space>
                ),
              },
            ]
          : []),
      ]}
    />
  );
  return (
    <>
      <TitleBar
        level={2}
        title={t("tab_kb")}
        extra={
          <CreateButton op="POST /v1/kb/articles" onClick={() => setEditing("new")}>
            {t("newArticle")}
          </CreateButton>
        }
      />
      <Flex wrap gap={16} style={{ margin: "16px 0" }}>
        <Input.Search aria-label={t("searchArticles")} placeholder={t("searchArticles")} allowClear onSearch={(value) => setSearch(value.trim())} style={{ maxWidth: 320 }} />
        <Input.Search aria-label={t("filterCategory")} placeholder={t("filterCategory")} allowClear onSearch={(value) => setCategory(value.trim())} style={{ maxWidth: 240 }} disabled={Boolean(search)} />
      </Flex>
      {search ? (
        <QueryState query={found} isEmpty={(data) => data.items.length === 0}>
          {(data) => table(data.items.map((hit) => hit.article))}
        </QueryState>
      ) : (
        <QueryState query={list} isEmpty={(data) => data.items.length === 0}>
          {(data) => table(data.items)}
        </QueryState>
      )}
      <EditDrawer editing={editing} onClose={() => setEditing(null)} newTitle={t("newArticle")} editTitle={t("editArticle")}>
        {(item) => <ArticleForm article={item} onDone={() => setEditing(null)} />}
      </EditDrawer>
    </>
  );
}

export function ArticleForm({ article, onDone }: { article: Article | null; onDone: () => void }) {
  const t = useSettingsT();
  const common = useCommonT();
  const api = useApi();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<ArticleValues>();
  const problems = useProblemForm(form);
  const autoReply = Form.useWatch("auto_reply", form);
  const save = useMutation({
    mutationFn: (body: ArticleValues) =>
      article
        ? unwrap(api.PUT("/v1/kb/articles/{article_id}", { params: { path: { article_id: article.article_id } }, body }))
        : unwrap(api.POST("/v1/kb/articles", { body })),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ["kb-articles"] });
      void queries.invalidateQueries({ queryKey: ["kb-search"] });
    },
  });
  const initial: ArticleValues = article
    ? { kind: article.kind, title: article.title, body: article.body, category: article.category, keywords: article.keywords ?? [], auto_reply: article.auto_reply, answer: article.answer }
    : { kind: "article", title: "", body: "", category: null, keywords: [], auto_reply: false, answer: null };
  const onFinish = async (values: ArticleValues) => {
    problems.clear();
    try {
      await save.mutateAsync({ ...values, category: values.category || null, answer: values.auto_reply ? values.answer || null : null });
      void message.success(common("saved"));
      onDone();
    } catch (error) {
      problems.onError(error);
    }
  };
  return (
    <Form form={form} layout="vertical" initialValues={initial} onFinish={onFinish}>
      <FormProblems messages={problems.general} />
      <Flex gap={16} wrap>
        <Form.Item label={t("kind")} name="kind">
          <Select style={{ width: 180 }} options={(["article", "canned_reply"] as const).map((kind) => ({ value: kind, label: t(`kind_${kind}`) }))} />
        </Form.Item>
        <Form.Item label={t("category")} name="category">
          <Input style={{ width: 220 }} />
        </Form.Item>
      </Flex>
      <Form.Item label={t("articleTitle")} name="title">
        <Input />
      </Form.Item>
      <Form.Item label={t("articleBody")} name="body">
        <Input.TextArea rows={6} />
      </Form.Item>
      <Form.Item label={t("ruleKeywords")} name="keywords" extra={t("wordsHint")}>
        <WordsInput />
      </Form.Item>
      <Form.Item label={t("autoReply")} name="auto_reply" valuePropName="checked" extra={t("autoReplyHint")}>
        <Switch />
      </Form.Item>
      {autoReply && (
        <Form.Item label={t("answer")} name="answer" extra={t("answerHint")}>
          <Input.TextArea rows={3} />
        </Form.Item>
      )}
      <FormActions saving={save.isPending} onCancel={onDone} />
    </Form>
  );
}

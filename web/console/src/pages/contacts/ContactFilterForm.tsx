// The contacts list's filter form: identity search, tag, owner, source campaign.
import { Button, Col, Form, Input, Row, Select, Space } from "antd";
import { useEffect, useMemo } from "react";
import { useCommonT } from "../../components/messages";
import { NO_FILTERS, SEARCH_KINDS, type ContactFilters } from "./filters";
import { useContactsT } from "./messages";

export interface CampaignOption {
  value: string;
  label: string;
}

/** The select shows its placeholder (and no clear button) only for `undefined`, not for "". */
type FormValues = Omit<ContactFilters, "sourceCampaign"> & { sourceCampaign?: string };

function asFormValues(filters: ContactFilters): FormValues {
  return { ...filters, sourceCampaign: filters.sourceCampaign || undefined };
}

export function ContactFilterForm({
  value,
  onChange,
  campaigns,
  campaignsLoading,
  showOwner = true,
}: {
  value: ContactFilters;
  onChange: (filters: ContactFilters) => void;
  campaigns: CampaignOption[];
  campaignsLoading?: boolean;
  showOwner?: boolean;
}) {
  const t = useContactsT();
  const common = useCommonT();
  const [form] = Form.useForm<FormValues>();
  const shown = useMemo(() => asFormValues(value), [value]);
  useEffect(() => form.setFieldsValue(shown), [form, shown]);
  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={shown}
      aria-label={t("filters")}
      onFinish={(values) => onChange({ ...NO_FILTERS, ...values, sourceCampaign: values.sourceCampaign ?? "" })}
    >
      <Row gutter={16}>
        <Col xs={24} md={12} xl={8}>
          <Form.Item label={t("search")} name="search">
            <Input placeholder={t("searchPlaceholder")} allowClear />
          </Form.Item>
        </Col>
        <Col xs={24} md={12} xl={4}>
          <Form.Item label={t("searchKind")} name="searchKind">
            <Select options={SEARCH_KINDS.map((kind) => ({ value: kind, label: t(`kind_${kind}`) }))} />
          </Form.Item>
        </Col>
        <Col xs={24} md={8} xl={4}>
          <Form.Item label={t("tag")} name="tag">
            <Input allowClear />
          </Form.Item>
        </Col>
        {showOwner && (
          <Col xs={24} md={8} xl={4}>
            <Form.Item label={t("owner")} name="owner">
              <Input allowClear />
            </Form.Item>
          </Col>
        )}
        <Col xs={24} md={8} xl={4}>
          <Form.Item label={t("sourceCampaign")} name="sourceCampaign">
            <Select
              allowClear
              showSearch={{ optionFilterProp: "label" }}
              loading={campaignsLoading}
              placeholder={t("anyCampaign")}
              options={campaigns}
            />
          </Form.Item>
        </Col>
      </Row>
      <Space>
        <Button type="primary" htmlType="submit">
          {t("apply")}
        </Button>
        <Button
          onClick={() => {
            form.setFieldsValue(asFormValues(NO_FILTERS));
            onChange(NO_FILTERS);
          }}
        >
          {common("reset")}
        </Button>
      </Space>
    </Form>
  );
}

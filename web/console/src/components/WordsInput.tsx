// A list of words typed one after another (Enter, comma or 、 ends one), trimmed, each once:
// keywords, brands, sensitive words, a case's tags. A Form.Item control (value / onChange).
import { Select } from "antd";

export function WordsInput({
  value,
  onChange,
  id,
  placeholder,
  ...aria
}: {
  value?: string[];
  onChange?: (words: string[]) => void;
  id?: string;
  placeholder?: string;
  "aria-label"?: string;
  "aria-invalid"?: boolean;
}) {
  return (
    <Select
      id={id}
      mode="tags"
      value={value ?? []}
      onChange={(words: string[]) => onChange?.([...new Set(words.map((word) => word.trim()).filter(Boolean))])}
      tokenSeparators={[",", "，", "、"]}
      open={false}
      suffixIcon={null}
      placeholder={placeholder}
      style={{ minWidth: 200 }}
      {...aria}
    />
  );
}

// 1 to 5 as five native radio buttons drawn as stars: keyboard and screen readers work as usual.
import { useCasesT } from "./messages";

export function StarRating({
  id,
  value,
  onChange,
  legend,
}: {
  id?: string;
  value?: number;
  onChange?: (value: number) => void;
  legend: string;
}) {
  const t = useCasesT();
  return (
    <fieldset className="m-stars" id={id}>
      <legend>{legend}</legend>
      {[1, 2, 3, 4, 5].map((n) => (
        <label key={n} data-on={value !== undefined && n <= value ? "true" : "false"}>
          <input
            type="radio"
            className="m-sr"
            name={`${id ?? "rating"}-stars`}
            value={n}
            checked={value === n}
            onChange={() => onChange?.(n)}
            aria-label={t("stars", { n })}
          />
          <span aria-hidden="true">★</span>
        </label>
      ))}
    </fieldset>
  );
}

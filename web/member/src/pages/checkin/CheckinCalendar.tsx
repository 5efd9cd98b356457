// A month's calendar, Monday first, with the days checked in marked (and said, for screen readers).
import { useCheckinT } from "./messages";
import { monthGrid } from "./checkinDays";

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

export function CheckinCalendar({ month, checked, today }: { month: string; checked: ReadonlySet<string>; today: string }) {
  const t = useCheckinT();
  const [year, monthNumber] = month.split("-").map(Number);
  return (
    <table className="m-calendar">
      <caption>{t("calendar", { year: year!, month: monthNumber! })}</caption>
      <thead>
        <tr>
          {WEEKDAYS.map((d) => (
            <th key={d} scope="col" abbr={t(`w${d}Long`)}>
              {t(`w${d}`)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {monthGrid(month).map((week, w) => (
          <tr key={w}>
            {week.map((day, i) => {
              if (!day) return <td key={i} />;
              const isChecked = checked.has(day);
              const isToday = day === today;
              const classes = ["m-day", isChecked && "m-day-checked", isToday && "m-day-today"].filter(Boolean).join(" ");
              return (
                <td key={day} data-day={day} data-checked={isChecked ? "true" : "false"} aria-current={isToday ? "date" : undefined}>
                  <span className={classes}>{Number(day.slice(8))}</span>
                  {isChecked && <span className="m-sr">{t("checkedMark")}</span>}
                  {isToday && <span className="m-sr">{t("todayMark")}</span>}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// Korean public holidays — lunar ones (설날, 추석, 부처님 오신 날), substitute
// holidays (대체공휴일) and those declared for a single year (elections, 임시공휴일)
// included — from @hyunbinseo/holidays-kr, which follows the calendar the
// government publishes each year (월력요항). It knows the years it lists and
// no others: asking about a year it does not list is an error, never a guess.
import * as years from "@hyunbinseo/holidays-kr/all";

type YearTable = Readonly<Record<string, readonly string[]>>;

const TABLES = new Map<number, YearTable>(
  Object.entries(years as unknown as Record<string, YearTable>).map(([name, table]) => [
    Number(name.slice(1)),
    table,
  ]),
);
const known = [...TABLES.keys()].sort((a, b) => a - b);

/** The years whose holidays are known, first and last. */
export const HOLIDAY_YEARS = { first: known[0]!, last: known[known.length - 1]! } as const;

export class HolidaysUnknownError extends Error {
  readonly code = "HOLIDAYS_UNKNOWN";
  readonly year: number;
  constructor(year: number) {
    super(
      `Korean public holidays are known for ${HOLIDAY_YEARS.first}–${HOLIDAY_YEARS.last} only, not for ${year}`,
    );
    this.year = year;
  }
}

/** The holidays' names on a date (`YYYY-MM-DD`), or an empty list; throws for a year not known. */
export function koreanHolidays(date: string): readonly string[] {
  const year = Number(date.slice(0, 4));
  const table = TABLES.get(year);
  if (!table) throw new HolidaysUnknownError(year);
  return table[date] ?? [];
}

export function isKoreanHoliday(date: string): boolean {
  return koreanHolidays(date).length > 0;
}

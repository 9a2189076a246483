/** The zone every page shows time in: the platform's users are in metropolitan France. */
export const DISPLAY_TIME_ZONE = 'Europe/Paris';

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: DISPLAY_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'longOffset',
});

/**
 * One timestamp format for every page: Paris wall-clock time with its UTC offset, so a reader
 * never has to guess the zone and summer/winter time is explicit.
 *
 * @example
 * formatTimestamp(new Date('2026-12-03T18:30:05Z')) // "2026-12-03 19:30:05 +01:00"
 * formatTimestamp('2026-07-01T08:00:00Z')           // "2026-07-01 10:00:00 +02:00"
 */
export function formatTimestamp(value: Date | string | number): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const p = Object.fromEntries(parts.formatToParts(date).map((x) => [x.type, x.value]));
  // longOffset is "GMT+01:00", or plain "GMT" when the offset is zero.
  const offset = p.timeZoneName === 'GMT' ? '+00:00' : (p.timeZoneName ?? '').replace('GMT', '');
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${offset}`;
}

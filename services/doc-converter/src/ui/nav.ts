export const SERVICE = 'doc-converter';

/** The admin pages' menu, also the only places an action may return to. */
export const NAV: [string, string][] = [
  ['/admin', 'Documents'],
  ['/admin/errors', 'Parked by doctor'],
  ['/admin/intake', 'Intake errors'],
  ['/admin/share/', 'Export share'],
];

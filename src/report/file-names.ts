/** The files of a run's (and a GameDay's) reports, as they are named in its run directory. */
export const reportFiles = {
  summary: 'summary.json',
  markdown: 'report.md',
  html: 'report.html',
  junit: 'junit.xml',
  pdf: 'report.pdf',
} as const;

/** The run directory's evidence: the digests of its journal and reports, chained to the run before (evidence.ts). */
export const evidenceFileName = 'evidence.json';

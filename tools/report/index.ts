// Reports of a k6 run (HTML with charts, Markdown for CI job summaries, CSV, JUnit XML) from the
// result JSON the summary hook writes, its baseline diff and k6's --out json stream.
export {
  writeReports,
  writeAllReports,
  findResultFiles,
  reportPaths,
  type AllReports,
  type ReportPaths,
  type WriteOptions,
  type WrittenReports,
} from './write.ts';
export { loadReport, readResultFile, readDiffFile, readStream, resultStem, ReportInputError, type LoadOptions } from './read.ts';
export { SeriesBuilder, percentile, parseK6Time, type StreamPoint, type SeriesMetrics } from './timeseries.ts';
export { renderHtml, chartIds } from './html.ts';
export { renderMarkdown } from './markdown.ts';
export { renderCsv } from './csv.ts';
export { renderJunit, xmlEscape } from './junit.ts';
export { verdict, runInfo, gateMetrics, thresholdRows, checkRows } from './model.ts';
export type { ReportModel, ResultFile, DiffFile, TimeSeries, RunInfo, ThresholdRow } from './model.ts';

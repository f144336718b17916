// lighthouse-scores.js prints the scores of a Lighthouse JSON report and
// the audits that lost points; it exits 1 below the minimum accessibility
// or performance score. Used by scripts/lighthouse.sh:
//   node scripts/lighthouse-scores.js REPORT.json RUN MIN_A11Y MIN_PERF
'use strict';
const [file, run, minA11y, minPerf] = process.argv.slice(2);
const r = require(require('path').resolve(file));
const c = r.categories, a = r.audits;
const pct = (x) => Math.round(x * 100);
console.log(`lighthouse run ${run}: ${r.finalDisplayedUrl} accessibility ${pct(c.accessibility.score)} performance ${pct(c.performance.score)} best-practices ${pct(c['best-practices'].score)}`);
console.log(`  FCP ${a['first-contentful-paint'].displayValue}, LCP ${a['largest-contentful-paint'].displayValue}, TBT ${a['total-blocking-time'].displayValue}, CLS ${a['cumulative-layout-shift'].displayValue}, SI ${a['speed-index'].displayValue}`);
for (const k of ['accessibility', 'performance', 'best-practices']) {
  for (const ref of c[k].auditRefs) {
    const au = a[ref.id];
    if (ref.weight > 0 && au.score !== null && au.score < 1) {
      console.log(`  ${k}: ${ref.id} ${pct(au.score)}: ${au.title}${au.displayValue ? ' (' + au.displayValue + ')' : ''}`);
    }
  }
}
if (pct(c.accessibility.score) < Number(minA11y) || pct(c.performance.score) < Number(minPerf)) process.exit(1);

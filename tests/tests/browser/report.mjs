// Drives the HTML report in Chromium as a reviewer would (clicks, not DOM dumps) and
// prints what it saw as one JSON object for tests/tests/html_browser.rs to check.
// Usage: node report.mjs CHROMIUM URL
import puppeteer from 'puppeteer-core';

const [, , chromium, url] = process.argv;
const browser = await puppeteer.launch({
  executablePath: chromium,
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage();
  const messages = [];
  page.on('console', (message) => messages.push(message.text()));
  page.on('pageerror', (error) => messages.push(String(error)));
  await page.goto(url, { waitUntil: 'load' });

  const shownRows = () =>
    page.$$eval('#matrix tbody:first-of-type tr.category', (rows) =>
      rows.filter((row) => !row.hidden && row.offsetHeight > 0).length);
  const shownCells = (selector) =>
    page.$$eval(selector, (cells) => cells.filter((cell) => cell.offsetWidth > 0).length);
  const seen = {};

  seen.groupRowsBefore = await shownRows();
  await page.click('#matrix tbody:first-of-type tr.group button');
  seen.groupRowsFolded = await shownRows();
  await page.click('#matrix tbody:first-of-type tr.group button');
  seen.groupRowsUnfolded = await shownRows();

  const kind = '#matrix th.kind[data-kind="0"]';
  seen.kindSinksBefore = await shownCells('#matrix th.sink[data-kind="0"]');
  seen.kindTotalsBefore = await shownCells('#matrix td.agg[data-kind="0"]');
  await page.click(`${kind} button`);
  seen.kindSinksFolded = await shownCells('#matrix th.sink[data-kind="0"]');
  seen.kindTotalsFolded = await shownCells('#matrix td.agg[data-kind="0"]');
  seen.kindColspanFolded = await page.$eval(kind, (th) => th.colSpan);

  const violation = 'details.violation[data-address="violation-2"]';
  seen.violationOpenBefore = await page.$eval(violation, (details) => details.open);
  await page.click(`${violation} summary`);
  seen.violationOpenAfter = await page.$eval(violation, (details) => details.open);
  seen.violationDetailShown = await page.$eval(
    `${violation} dl`, (list) => list.offsetHeight > 0);

  // Any sortable table sorts by the column clicked (not only the page's first table).
  await page.click('#inventory th:nth-child(2)');
  const categories = await page.$$eval('#inventory tbody tr', (rows) =>
    rows.map((row) => row.cells[1].textContent));
  seen.inventorySortedByCategory = categories.every(
    (category, at) => at === 0 || categories[at - 1].localeCompare(category, undefined, { numeric: true }) <= 0);
  seen.inventoryRows = categories.length;

  seen.messages = messages;
  console.log(JSON.stringify(seen));
} finally {
  await browser.close();
}

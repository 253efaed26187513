/** `crossbar engines`: every registered engine and mode, whether it works here, and why not. */
import { Command } from 'commander';
import { engineRows, prepareEngines } from '../engines.js';
import { UsageError } from '../errors.js';
import { textTable, wrapText } from '../format.js';
import { printJson, println, type CliIO } from '../io.js';
import { addCommonOptions, type CommonOptions } from '../options.js';

/** Width of the details column of `crossbar engines` (longer details wrap onto more lines). */
const DETAILS_WIDTH = 56;

export function enginesCommand(io: CliIO): Command {
  const cmd = new Command('engines').description('List every registered engine and mode, whether it works here, and why not');
  addCommonOptions(cmd);
  cmd.action(async (opts: CommonOptions) => {
    await prepareEngines(opts.load);
    let rows = await engineRows();
    if (opts.engine) {
      const want = opts.engine;
      rows = rows.filter((r) => r.engine === want || (!want.includes(':') && r.engine.startsWith(`${want}:`)));
      if (rows.length === 0) throw new UsageError(`--engine ${want}: no such engine or mode`, 'crossbar engines');
    }
    if (opts.json) {
      printJson(io, rows);
      return;
    }
    println(
      io.stdout,
      textTable(
        ['engine', 'priority', 'works here', 'details'],
        rows.map((r) => [
          r.engine.includes(':') ? `  ${r.engine}` : r.engine,
          r.priority === null ? '' : String(r.priority),
          r.works ? (r.isDefault ? 'yes (default)' : 'yes') : 'no',
          r.detail,
        ]),
        [],
        // The details wrap, so the table stays within about 100 columns.
        [undefined, undefined, undefined, DETAILS_WIDTH],
      ),
    );
    const note = 'The default is CROSSBAR_BACKEND if set, else the highest-priority engine that works here. Pick one with --engine name or name:mode.';
    println(io.stdout, `\n${wrapText(note, 100).join('\n')}`);
  });
  return cmd;
}

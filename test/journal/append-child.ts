/**
 * Child of the SIGKILL test: appends replies of 10 events to the journal as fast as it can and prints
 * `ack <n>` after each append returned (that is when the line would acknowledge the reply).
 * argv: <journal file> <first reply number>
 */
import { openJournal } from '../../lib/journal';
import { reply } from './fixtures';

const [file, first] = process.argv.slice(2);
const j = openJournal(file);
const state = j.loadState('L1');
process.stdout.write(`ready ${state['1']?.seq ?? -1}\n`);
for (let r = Number(first); ; r++) {
  j.append(reply(r));
  process.stdout.write(`ack ${r}\n`);
}

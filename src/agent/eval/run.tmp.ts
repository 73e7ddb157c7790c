import { runEvalCli } from './eval-cli.ts';
process.exitCode = await runEvalCli(process.argv.slice(2));

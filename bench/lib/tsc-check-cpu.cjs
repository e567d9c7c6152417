// Compiles one tsconfig with the TypeScript API and reports, as JSON on stdout, the CPU time
// (user + system) of the check phase alone: parse and bind happen before it (creating the
// type checker binds every file), so only type checking is counted.
const { join } = require('node:path');
const ts = require(join(__dirname, '..', '..', 'node_modules', 'typescript'));
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const start = cpu();
const config = ts.getParsedCommandLineOfConfigFile(process.argv[2], {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
program.getTypeChecker();
const bound = cpu();
const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()];
const checked = cpu();
const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0] + (d.file ? ` (${d.file.fileName.split('/').pop()}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1})` : ''));
process.stdout.write(JSON.stringify({ checkCpuS: checked - bound, totalCpuS: checked - start, instantiations: program.getInstantiationCount(), types: program.getTypeCount(), memoryMB: process.memoryUsage().heapUsed / 2 ** 20, files: program.getSourceFiles().length, errors: errors.slice(0, 20) }));

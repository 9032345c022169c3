import { execFileSync } from 'node:child_process';

/** CLI tests run bin/tickfold, which runs dist/: build it from the current sources first. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}

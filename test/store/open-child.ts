// Opens (and so migrates) the SQLite store at argv[2], for the concurrent-start test.
import { openStore } from '../../src/store/index.ts';

const store = openStore(process.argv[2]!);
await store.close();

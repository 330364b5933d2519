"""Cost of reading PDFs through the isolated PDFium reader (clause_lint/extract/isolate.py).

    python benchmarks/bench_isolation.py [DIR]

Loads the linter first (spaCy in memory, as in a real run), then reads every PDF of
../shared/corpus/bin (and DIR) in process and through the reader child; best of 5.
"""
import glob, os, sys, time
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from clause_lint.api import Linter
from clause_lint.extract import read_path
from clause_lint.limits import DEFAULT_LIMITS
lin = Linter()  # spaCy and the packs loaded, as in a real `check`/`extract` process
lin.check(os.path.join(ROOT, 'sample_contracts', sorted(os.listdir(os.path.join(ROOT, 'sample_contracts')))[0]))
import resource; print("parent RSS MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
files = sorted(glob.glob(os.path.join(ROOT, '..', 'shared', 'corpus', 'bin', '*.pdf'))) + sorted(glob.glob(sys.argv[1] + '/*.pdf') if len(sys.argv) > 1 else [])
lim = DEFAULT_LIMITS.updated(ocr="never")
def best(f, n=5):
    ts = []
    for _ in range(n):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return min(ts)
for path in files:
    os.environ["CLAUSE_LINT_IN_PROCESS"] = "1"  # read by isolate.available(): in process
    try:
        a = best(lambda: read_path(path, lim))
    except Exception as e:
        print(path, e); continue
    finally:
        del os.environ["CLAUSE_LINT_IN_PROCESS"]
    b = best(lambda: read_path(path, lim))
    print(f"{os.path.basename(path):50s} in-process {a*1000:8.1f} ms  isolated {b*1000:8.1f} ms  +{(b-a)*1000:6.1f} ms")

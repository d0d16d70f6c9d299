"""``python -m bench``: the benchmark runner of :mod:`bench.run`;
``python -m bench browser``: first visits in Chromium (:mod:`bench.browser`)."""

import sys

if sys.argv[1:2] == ["browser"]:
    from bench.browser import main as browser_main

    browser_main(sys.argv[2:])
else:
    from bench.run import main

    main()

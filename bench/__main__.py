"""``python -m bench``: the benchmark runner of :mod:`bench.run`;
``python -m bench browser``: first visits in Chromium (:mod:`bench.browser`);
``python -m bench margins``: charts drawn twice, per screen width (:mod:`bench.margins`)."""

import sys

if sys.argv[1:2] == ["browser"]:
    from bench.browser import main as browser_main

    browser_main(sys.argv[2:])
elif sys.argv[1:2] == ["margins"]:
    from bench.margins import main as margins_main

    margins_main(sys.argv[2:])
else:
    from bench.run import main

    main()

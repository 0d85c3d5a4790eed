from bch.cli import main

raise SystemExit(main())

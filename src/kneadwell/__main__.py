from kneadwell.cli import main

raise SystemExit(main())

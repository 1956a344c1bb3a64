# glance-api from its module (Debian's glance-api package is not installed): eventlet, workers = 0.
import sys
from glance.cmd.api import main
sys.exit(main())

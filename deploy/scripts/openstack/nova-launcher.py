# Starts a Nova service (nova.cmd.conductor, nova.cmd.scheduler, nova.cmd.compute) in two halves: the
# imports (seconds of CPU) at once, main() only once the file GO exists, so that the imports overlap
# what the service has to wait for (the users in Keystone; the conductor, for nova-compute).
# Usage: nova-launcher.py GO MODULE [service options...]
import importlib
import os
import sys
import time

go, module = sys.argv[1], sys.argv[2]
main = importlib.import_module(module).main
while not os.path.exists(go):
    time.sleep(0.1)
sys.argv = [module] + sys.argv[3:]
sys.exit(main())

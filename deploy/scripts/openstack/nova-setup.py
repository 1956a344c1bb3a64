# What nova-manage does for a new deployment, in one interpreter (each nova-manage run costs seconds of
# imports): api_db sync, cell_v2 map_cell0, cell_v2 create_cell --name cell1 and db sync; then it
# creates the file READY, and runs cell_v2 discover_hosts every 0.2 s until nova-compute's host is
# mapped (at most 300 s). Usage: nova-setup.py READY --config-file nova.conf --config-file nova-db.conf
import sys
import time

from oslo_log import log as logging

from nova.cmd import manage
from nova import config
from nova import context
from nova import objects
from nova.objects import host_mapping

ready = sys.argv[1]
config.parse_args(['nova-manage'] + sys.argv[2:])
logging.setup(config.CONF, 'nova')
objects.register_all()
cells = manage.CellV2Commands()
for step in (manage.ApiDbCommands().sync,
             cells.map_cell0,
             lambda: cells.create_cell(name='cell1'),
             manage.DbCommands().sync):
    rc = step()
    if rc:
        sys.exit(rc)
open(ready, 'w').close()

deadline = time.monotonic() + 300
while not host_mapping.discover_hosts(context.get_admin_context()):
    if time.monotonic() > deadline:
        sys.exit('no compute host to map after 300 s')
    time.sleep(0.2)

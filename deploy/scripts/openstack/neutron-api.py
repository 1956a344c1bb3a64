# uwsgi --wsgi-file for the Neutron API. Neutron Zed answers 500 ("type object 'Port' has no attribute
# 'port_forwardings'") on each worker's first GET /v2.0/ports unless the ORM mappers are configured
# once the plugins (service_plugins = router) have loaded: do it here, before the first request.
import sqlalchemy.orm
from neutron.cmd.eventlet.server import main_api_eventlet

application = main_api_eventlet()
sqlalchemy.orm.configure_mappers()

# A connect refused at once by this machine's own policy (EACCES from a security module):
# the server was not tested, so no verdict on it.
connect-fails EACCES
expect finding LOCAL_LIMIT
expect no CONNECT_FAILED
expect message LOCAL_LIMIT Permission denied
expect message LOCAL_LIMIT own policy forbids the connection
expect status unknown

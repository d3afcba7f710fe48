/* cmd-bisect.c - stub */
#include "session.h"
int insp_cmd_bisect(struct insp_session *s) { (void)s; return 1; }

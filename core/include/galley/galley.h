/* libgalley: convert articles between formats through one document tree. */
#ifndef GALLEY_H
#define GALLEY_H

#include "buf.h"
#include "job.h"
#include "lang.h"
#include "layout.h"
#include "plugin.h"
#include "present.h"
#include "recognise.h"
#include "safe.h"
#include "status.h"
#include "tree.h"
#include "url.h"

#endif

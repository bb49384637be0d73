/*
 * version - the release, as `affild --version` and `affilctl --version`
 * print it; debian/changelog's top entry carries the same number.
 */
#ifndef AFFILD_VERSION_H
#define AFFILD_VERSION_H

#define AFFILD_VERSION "0.9.0"

#endif

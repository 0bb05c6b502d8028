# Панель администратора (мини-приложение Telegram): все тексты её страниц. Без аргументов:
# числа, даты и имена страницы ставят рядом с этими текстами сами.

panel-title = Панель проверок
panel-loading = Загрузка…
panel-denied = 🔒 Откройте панель из чата с ботом в Telegram: отправьте ему /panel.

panel-tab-overview = Сводка
panel-tab-verifications = Проверки
panel-tab-staff = Сотрудники
panel-tab-export = Выгрузка

panel-period-today = Сегодня
panel-period-week = 7 дней
panel-period-month = 30 дней
panel-figure-sent = Отправлено
panel-figure-verified = Подтверждено
panel-figure-by-code = по коду
panel-figure-by-contact = по QR-коду
panel-figure-failed = Не пройдено
panel-figure-expired = Истекло
panel-figure-cancelled = Отменено
panel-figure-rate = Доля успешных проверок
panel-figure-spent = Потрачено
panel-figure-refunded = Возвращено
panel-balance = Баланс Gateway по последним данным
panel-balance-unknown = пока неизвестен

panel-chart-title = Коды и подтверждения по дням ({ $zone })
panel-chart-sent = Отправлено кодов
panel-chart-verified = Подтверждено
panel-chart-empty = За последние 30 дней коды не отправлялись.
panel-latest-title = Последние проверки
panel-latest-empty = Проверок пока не было. Начните первую в чате командой /verify.

panel-status-sending = Отправляется
panel-status-pending = Ждёт код
panel-status-verified = Подтверждена
panel-status-max_attempts = Попытки исчерпаны
panel-status-expired = Код истёк
panel-status-cancelled = Отменена
panel-status-failed = Код не отправлен

panel-method-code = по коду
panel-method-contact = по QR-коду

panel-delivery-sent = 📤 Отправлен
panel-delivery-delivered = 📬 Доставлен
panel-delivery-read = 👁 Прочитан
panel-delivery-expired = ⌛ Истёк до прочтения
panel-delivery-revoked = 🚫 Отозван

panel-action-send = Код отправлен
panel-action-check = Код проверен
panel-action-max_attempts = Слишком много неверных кодов
panel-action-contact_share = Клиент передал номер
panel-action-reset = Лимит отправок сброшен
panel-action-send_refused = Код не отправлен
panel-action-refused = Отказано
panel-action-staff_removed = Сотрудник удалён
panel-action-invite_created = Создано приглашение
panel-action-access_granted = Доступ выдан

panel-filter-status = Итог
panel-filter-status-all = Любой
panel-filter-staff = Сотрудник
panel-filter-staff-all = Все
panel-filter-from = С
panel-filter-to = По
panel-filter-digits = Последние цифры
panel-filter-clear = Сбросить
panel-column-number = Номер
panel-column-status = Итог
panel-page = Страница
panel-page-prev = ← Позже
panel-page-next = Раньше →
panel-verifications-empty = Проверок с такими условиями нет.

panel-details-title = Проверка
panel-details-back = ← Назад
panel-details-status = Итог
panel-details-phone = Номер
panel-details-method = Способ
panel-details-staff = Сотрудник
panel-details-created = Начата
panel-details-sent = Код отправлен
panel-details-expires = Код действует до
panel-details-closed = Завершена
panel-details-delivery = Доставка
panel-details-attempts = Неверных кодов
panel-details-cost = Стоимость
panel-details-refunded = 💸 плата возвращена
panel-audit-title = История
panel-audit-empty = Ничего не записано.
panel-actor-bot = бот
panel-user-id = ID

panel-staff-title = У кого есть доступ
panel-staff-empty = Пока никого.
panel-role-admin = Администратор
panel-role-staff = Сотрудник
panel-staff-you = это вы
panel-staff-config = из ADMIN_IDS
panel-staff-added = Доступ с
panel-staff-by = по приглашению:
panel-staff-remove = Удалить
panel-confirm-title = Удалить сотрудника?
panel-confirm-text = Сотрудник больше не сможет отправлять коды. Его активные проверки будут отменены, история сохранится.
panel-confirm-yes = Удалить
panel-confirm-no = Оставить

panel-invite-title = Пригласить коллегу
panel-invite-hint = Создайте ссылку и отправьте её лично. Доступ получит тот, кто откроет её первым.
panel-invite-staff = Сотрудника
panel-invite-admin = Администратора
panel-invite-copy = Копировать
panel-invite-copied = Скопировано
panel-invite-until = Одноразовая, действует до

panel-export-title = Выгрузка
panel-export-hint = Я пришлю файл CSV и книгу Excel в наш личный чат.
panel-export-from = С
panel-export-to = По
panel-export-send = Прислать файлы
panel-export-sent = ✅ Файлы отправлены в наш личный чат. Проверок:
panel-export-empty = В этом промежутке проверок не было — выгружать нечего.

panel-error-network = ⚠️ Не удалось связаться с ботом. Проверьте подключение.
panel-error-server = ⚠️ Произошла внутренняя ошибка. Попробуйте ещё раз.
panel-error-forbidden = 🔒 Это доступно только администраторам.
panel-error-not-found = Такой проверки нет.
panel-retry = Повторить
panel-dismiss = Понятно
